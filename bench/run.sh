#!/usr/bin/env bash
# Load benchmarks: release build, demo data plus generated data, wrk against the main routes.
# Writes bench/RESULTS.md: the platform section here, then bench/retail.sh (scan, checkout,
# sales list, export; PostgreSQL too when PG_ADMIN_URL is set), bench/crash.sh (SIGKILL in
# the middle of checkouts) and bench/limit.sh (beside the machine's limit, with ratios).
# Loopback only; every run is bounded in time.
#   bash bench/run.sh            (DURATION=15 CONNECTIONS=8 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-8}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tillpoint-target}"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/tillpoint"
WORK=$(mktemp -d /tmp/tillpoint-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT

export TILLPOINT_DATA_DIR="$WORK" TILLPOINT_ADDR="127.0.0.1:$PORT" TILLPOINT_LOG=warn TILLPOINT_WORKERS=2
"$BIN" demo >/dev/null

# Generated data: 2,000 employees and 500,000 audit rows, so lists and filters work on a
# realistic history rather than on five rows.
python3 - "$WORK/tillpoint.sqlite3" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
h = db.execute("select password_hash from employees limit 1").fetchone()[0]
db.execute("""with recursive n(i) as (select 1 union all select i+1 from n where i < 2000)
  insert into employees (username, name, role, branch_id, hire_date, is_active, password_hash,
    is_logged_in, created_at, updated_at)
  select 'staff' || i, 'Staff Member ' || i, case i % 4 when 0 then 'sales_agent' when 1 then 'waiter'
    when 2 then 'kitchen' else 'credit_officer' end, 1 + i % 3, '2025-01-01', 1, ?, 0,
    '2025-01-01 00:00:00', '2025-01-01 00:00:00' from n""", (h,))
db.execute("""with recursive n(i) as (select 1 union all select i+1 from n where i < 500000)
  insert into audit_log (at, employee_id, action, record_type, record_id, record_label, changes, ip)
  select datetime('2025-01-01', '+' || (i / 10) || ' minutes'), 1 + i % 2000,
    case i % 3 when 0 then 'UPDATE' when 1 then 'LOGIN' else 'CREATE' end,
    case i % 2 when 0 then 'employee' else 'branch' end, i % 2000, 'Record ' || i,
    '{"name":{"old":"a","new":"b"}}', '192.0.2.' || (i % 250) from n""")
db.commit()
PY

"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done

# A signed-in manager's cookie.
JAR="$WORK/jar"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$URL/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -c "$JAR" -b "$JAR" -o /dev/null -X POST "$URL/login" --data "csrf_token=$TOKEN&username=manager&password=tillpoint-demo"
COOKIE="tillpoint_session=$(awk '$6=="tillpoint_session"{print $7}' "$JAR")"
EMPLOYEES_PAGE=$(curl -sf -H "Cookie: $COOKIE" "$URL/employees" || true)
case "$EMPLOYEES_PAGE" in *"Employees"*) ;; *) echo "sign-in for the benchmark failed"; exit 1 ;; esac

results="$WORK/results.md"
run() {
  local name="$1" path="$2"; shift 2
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$URL$path")
  local rps p50 p99 non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  echo "| $name | \`$path\` | ${rps} | ${p50} | ${p99} | ${non2xx:-0} |" >> "$results"
  echo "$name: $rps req/s, p50 $p50, p99 $p99"
}
run "health" /healthz
run "sign-in page" /login
run "employees list (2,005 staff), signed in" /employees -H "Cookie: $COOKIE"
run "employee search, signed in" "/employees?q=member%2019&role=waiter" -H "Cookie: $COOKIE"
run "audit trail page 1 (500k rows), signed in" /audit -H "Cookie: $COOKIE"
run "audit filtered by employee + action" "/audit?employee_id=7&action=LOGIN" -H "Cookie: $COOKIE"

# One full export, streamed: time and size.
EXPORT_START=$(date +%s.%N)
BYTES=$(curl -s -H "Cookie: $COOKIE" "$URL/audit/export.csv" | wc -c)
EXPORT_S=$(echo "$(date +%s.%N) - $EXPORT_START" | bc)
RSS=$(awk '/VmHWM/ {print $2 " " $3}' /proc/$SERVER_PID/status)

{
  echo "# tillpoint benchmark results"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') with \`bash bench/run.sh\` (release build, SQLite, 2 workers,"
  echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s on the same 2-core machine; demo data + 2,000 generated employees + 500,000 audit rows)."
  echo "Compare with \`shared/research/machine-limits.md\` (minimal actix: ~70k req/s plain, ~45k askama page)."
  echo
  echo "| what | path | req/s | p50 | p99 | non-2xx |"
  echo "|---|---|---|---|---|---|"
  cat "$results"
  echo
  echo "- Full audit CSV export (500,000+ rows, streamed): ${BYTES} bytes in ${EXPORT_S}s."
  echo "- Peak RSS of the server after all runs: ${RSS}."
  echo "- Signed-in pages include the session lookup (one indexed query) and the role guard."
} > bench/RESULTS.md
cat bench/RESULTS.md
stop_server() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
stop_server
bash bench/retail.sh
bash bench/cafe.sh
CRASH=$(bash bench/crash.sh 2>/dev/null | tail -1)
{
  echo
  echo "## Crash test (issue 4)"
  echo
  echo "\`bash bench/crash.sh\`: 4 clients stream cash checkouts into a release build on SQLite; after 3 s the server is"
  echo "killed with SIGKILL and restarted, then the database is checked. Counts:"
  echo
  echo "\`\`\`"
  echo "$CRASH"
  echo "\`\`\`"
  echo
  echo "answered_but_missing, half_written_orders and receipt_number_gaps must be 0; a request that was in flight at the"
  echo "kill is either wholly there or wholly absent, and retrying its idempotency key yields exactly one sale."
} >> bench/RESULTS.md
# Issue 19: the side-by-side table with the machine's limit (../shared/limit), with ratios and
# targets; PostgreSQL and two instances too when PG_ADMIN_URL is set.
WRITE=1 bash bench/limit.sh
