#!/usr/bin/env bash
# E-mail reaches a real SMTP server: aiosmtpd (from PyPI) listens on loopback, a demo server
# sends to it, a cash sale with the customer's address is made through the till's JSON API,
# and the receipt (its OR number) must arrive within 20 seconds.  Usage: smtp-delivery.sh BIN
set -euo pipefail
BIN="$1"
WORK=$(mktemp -d /tmp/tillpoint-smtp.XXXXXX)
PIDS=()
cleanup() { set +e; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$WORK"; return 0; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$WORK/py" aiosmtpd
SMTP_PORT=$(free_port)
PYTHONPATH="$WORK/py" python3 -u -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" >"$WORK/smtp.log" 2>&1 &
PIDS+=($!)

PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
env TILLPOINT_DATA_DIR="$WORK/data" TILLPOINT_ADDR="127.0.0.1:$PORT" TILLPOINT_LOG=warn \
  TILLPOINT_SMTP_HOST=127.0.0.1 TILLPOINT_SMTP_PORT="$SMTP_PORT" TILLPOINT_SMTP_TLS=none \
  TILLPOINT_MAIL_FROM="CI Shop <receipts@example.com>" "$BIN" --demo >"$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 150); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.2; done

jar="$WORK/jar"
t=$(curl -s -c "$jar" -b "$jar" "$URL/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -c "$jar" -b "$jar" -o /dev/null --data "csrf_token=$t&username=agent&password=tillpoint-demo" "$URL/login"
pos=$(curl -s -c "$jar" -b "$jar" "$URL/pos")
csrf=$(echo "$pos" | grep -o 'name="csrf-token" content="[^"]*"' | cut -d'"' -f4)
# Sales need the agent's open shift: the till's own form opens one (float 0).
key=$(echo "$pos" | grep -o 'name="key" value="[^"]*"' | head -1 | cut -d'"' -f4)
register=$(echo "$pos" | grep -o '<option value="[0-9][0-9]*"' | head -1 | cut -d'"' -f2)
curl -s -c "$jar" -b "$jar" -o /dev/null \
  --data "csrf_token=$csrf&key=$key&register_id=$register&amount=0&next=/pos" "$URL/shifts/open"
# The demo's USB-C cable (EAN-13 of 480100000025, as e2e/support.js spells it).
barcode=$(python3 -c 'b="480100000025"; print(b + str((10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(b)) % 10) % 10))')
answer=$(curl -s -c "$jar" -b "$jar" -H "X-CSRF-Token: $csrf" -H "Content-Type: application/json" \
  --data "{\"idempotency_key\":\"ci-smtp-000000001\",\"lines\":[{\"barcode\":\"$barcode\",\"quantity\":1}],\"cash_received\":\"100000\",\"customer\":{\"name\":\"Lia Santos\",\"phone\":\"09179998877\",\"email\":\"lia.ci@example.com\"}}" \
  "$URL/pos/checkout/cash")
or_number=$(echo "$answer" | grep -o '"receipt_number":"[^"]*"' | cut -d'"' -f4)
[ -n "$or_number" ] || { echo "the sale failed: $answer"; exit 1; }
for _ in $(seq 1 100); do
  grep -q "$or_number" "$WORK/smtp.log" && grep -q "lia.ci@example.com" "$WORK/smtp.log" && break
  sleep 0.2
done
if grep -q "$or_number" "$WORK/smtp.log"; then
  echo "receipt $or_number delivered to aiosmtpd on 127.0.0.1:$SMTP_PORT"
else
  echo "the receipt $or_number did not arrive"; echo "--- smtp log"; cat "$WORK/smtp.log"; echo "--- server log"; cat "$WORK/server.log"; exit 1
fi
