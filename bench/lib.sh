# Shared by the bench scripts (source it after setting BIN, WORK, URL, PORT and DURATION):
# starting a release server on the bench's data directory, signing in as the demo manager,
# and one wrk row of a markdown table.

SERVER_PID=""
stop() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }

start() { # start [DATABASE_URL] → STARTUP (seconds until /healthz answers), COOKIE (manager)
  local t0; t0=$(date +%s.%N)
  env TILLPOINT_DATA_DIR="$WORK" TILLPOINT_ADDR="127.0.0.1:$PORT" TILLPOINT_LOG=warn TILLPOINT_WORKERS=2 \
      TILLPOINT_INSECURE_COOKIES=1 TILLPOINT_BACKUP_AT=off ${1:+DATABASE_URL="$1"} "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 6000); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
  STARTUP=$(echo "$(date +%s.%N) - $t0" | bc)
  jar="$WORK/jar"; rm -f "$jar"
  local t; t=$(curl -s -c "$jar" -b "$jar" "$URL/login" | grep -o 'name="csrf-token" content="[^"]*"' | cut -d'"' -f4)
  curl -s -c "$jar" -b "$jar" -o /dev/null --data "csrf_token=$t&username=manager&password=tillpoint-demo" "$URL/login"
  COOKIE="tillpoint_session=$(awk '$6=="tillpoint_session"{print $7}' "$jar")"
}

ROWS=""
row() { # row BACKEND NAME PATH → a table row in ROWS (and on the terminal)
  local out rps p50 p99 non2xx
  out=$(wrk -t2 -c4 -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "$URL$3")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  ROWS+="| $1 | $2 | $rps | $p50 | $p99 | ${non2xx:-0} |"$'\n'
  echo "| $1 | $2 | $rps | $p50 | $p99 | ${non2xx:-0} |"
}

sign_in() { # sign_in USER → sets COOKIE and TOKEN
  local jar="$WORK/jar-$1"; rm -f "$jar"
  local t
  t=$(curl -s -c "$jar" -b "$jar" "$URL/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | cut -d'"' -f4)
  curl -s -c "$jar" -b "$jar" -o /dev/null -X POST "$URL/login" --data "csrf_token=$t&username=$1&password=tillpoint-demo"
  COOKIE="tillpoint_session=$(awk '$6=="tillpoint_session"{print $7}' "$jar")"
  TOKEN=$(curl -s -b "$jar" -c "$jar" "$URL/profile" | grep -o 'name="csrf-token" content="[^"]*"' | cut -d'"' -f4)
  COOKIE="tillpoint_session=$(awk '$6=="tillpoint_session"{print $7}' "$jar")"
}

open_shift() { # open_shift: the signed-in seller opens a shift (float 0) on their branch's first free register
  local page key register
  page=$(curl -s -H "Cookie: $COOKIE" "$URL/shifts")
  key=$(echo "$page" | grep -o 'name="key" value="[^"]*"' | head -1 | cut -d'"' -f4)
  [ -z "$key" ] && return 0 # already open
  register=$(echo "$page" | grep -o '<option value="[0-9][0-9]*"' | head -1 | cut -d'"' -f2)
  curl -s -o /dev/null -H "Cookie: $COOKIE" -H "X-CSRF-Token: $TOKEN" \
    --data "csrf_token=$TOKEN&key=$key&register_id=$register&amount=0" "$URL/shifts/open"
}

