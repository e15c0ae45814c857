#!/usr/bin/env bash
# Issue 19: how the cost of the indexed paths grows with the data. For each SIZE (default
# 10,000, 100,000 and 1,000,000), a fresh SQLite database with the demo data plus SIZE
# generated products (with stock) and SIZE generated order lines over 90 days
# (bench/generate.py), then the till's scan, the sales list, the dashboard and the reports,
# wrk -t2 -c4, DURATION seconds each. A flat row is the goal for the indexed paths.
#   bash bench/growth.sh            SIZES="10000 100000 1000000" DURATION=8
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-8}"
SIZES="${SIZES:-10000 100000 1000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
BASE=$(mktemp -d /tmp/tillpoint-bench-growth.XXXXXX)
WORK="$BASE"
source bench/lib.sh
trap 'stop; rm -rf "$BASE"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
TODAY=$(TZ=Asia/Manila date +%F)
YEAR_AGO=$(TZ=Asia/Manila date -d "$TODAY - 364 days" +%F)

declare -A RPS
rps() { # rps PATH [script] → req/s (non-2xx appended when any)
  local out r e
  out=$(COOKIE="$COOKIE" PRODUCTS="$SIZE" wrk -t2 -c4 -d"${DURATION}s" ${2:+-s "$2"} -H "Cookie: $COOKIE" "$URL$1")
  r=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  e=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  echo "$r${e:+ ($e non-2xx)}"
}
PATHS=("till scan (random product)" "sales list, today" "sales list, every sale (page 1)" "dashboard, every branch" "reports, last 30 days" "reports, one year")
for SIZE in $SIZES; do
  WORK="$BASE/$SIZE"; mkdir -p "$WORK"
  TILLPOINT_DATA_DIR="$WORK" TILLPOINT_LOG=warn "$BIN" demo >/dev/null
  python3 bench/generate.py sqlite "$WORK/tillpoint.sqlite3" "$SIZE" "$SIZE" >/dev/null
  start
  echo "size $SIZE: started in ${STARTUP}s"
  sign_in agent
  RPS["$SIZE,0"]=$(rps "/pos/scan?barcode=BX00000001" bench/scan.lua)
  sign_in manager
  RPS["$SIZE,1"]=$(rps "/sales?from=$TODAY&to=$TODAY")
  RPS["$SIZE,2"]=$(rps "/sales?from=&to=")
  RPS["$SIZE,3"]=$(rps "/dashboard")
  RPS["$SIZE,4"]=$(rps "/reports")
  RPS["$SIZE,5"]=$(rps "/reports?from=$YEAR_AGO&to=$TODAY")
  stop
  rm -rf "$WORK"
done
echo
echo "## How cost grows ($(date -u '+%Y-%m-%d'), \`bash bench/growth.sh\`, SQLite, 2 workers, wrk -t2 -c4 -d${DURATION}s, req/s)"
echo
printf "| path |"; for SIZE in $SIZES; do printf " %s products + %s lines |" "$SIZE" "$SIZE"; done; echo
printf "|---|"; for _ in $SIZES; do printf "%s" "---|"; done; echo
for i in "${!PATHS[@]}"; do
  printf "| %s |" "${PATHS[$i]}"
  for SIZE in $SIZES; do printf " %s |" "${RPS[$SIZE,$i]}"; done
  echo
done
