#!/usr/bin/env bash
# Installs, migrates, loads the demo data and starts the whole platform on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/ensure-services.sh
export NODE_ENV=${NODE_ENV:-development}
API_PORT=${API_PORT:-3000}
WEB_PORT=${WEB_PORT:-4200}
export API_PORT WEB_PORT API_URL=${API_URL:-http://127.0.0.1:${API_PORT}} NEXT_TELEMETRY_DISABLED=1
DEMO_PASSWORD=${DEMO_PASSWORD:-demo1234}

# Postmart: the seed connects the Thiên An cooperative to the local Postmart simulator on this port.
export POSTMART_SIM_PORT=${POSTMART_SIM_PORT:-8089}

echo "Migrating the database and loading demo data…"
node -r ./scripts/register.js apps/api/src/cli/seed.ts

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# VNPay: unless a real gateway is configured (VNPAY_HOST), the local simulator stands in for VNPay's sandbox.
VNPAY_SIM_PORT=${VNPAY_SIM_PORT:-8088}
if [ -z "${VNPAY_HOST:-}" ]; then
  export VNPAY_TMN_CODE=${VNPAY_TMN_CODE:-HTXDEMO1}
  export VNPAY_SECURE_SECRET=${VNPAY_SECURE_SECRET:-HTXDEMOSECRETHTXDEMOSECRET123456}
  export VNPAY_HOST="http://127.0.0.1:${VNPAY_SIM_PORT}"
  # The shopper comes back to the storefront's result page, which has the API verify VNPay's signed answer.
  export VNPAY_RETURN_URL=${VNPAY_RETURN_URL:-http://localhost:${WEB_PORT}/thanh-toan/vnpay}
  START_VNPAY_SIM=1
fi

node -r ./scripts/register.js apps/api/src/main.ts &
pids+=($!)

# The Postmart partner-API simulator (docs/postmart-api.md); its order webhooks go to the API.
POSTMART_CALLBACK_URL="http://127.0.0.1:${API_PORT}/api/channels/postmart/webhook" node -r ./scripts/register.js apps/postmart-sim/src/main.ts &
pids+=($!)

if [ ! -f apps/storefront/.next/BUILD_ID ] || [ -n "$(find apps/storefront -path apps/storefront/.next -prune -o -newer apps/storefront/.next/BUILD_ID -type f -print -quit)" ]; then
  echo "Building the storefront…"
  (cd apps/storefront && NODE_ENV=production ../../node_modules/.bin/next build >/tmp/htx-storefront-build.log 2>&1) || { echo "Storefront build failed; see /tmp/htx-storefront-build.log" >&2; exit 1; }
fi
(cd apps/storefront && NODE_ENV=production exec ../../node_modules/.bin/next start -p "$WEB_PORT") &
pids+=($!)

if [ -n "${START_VNPAY_SIM:-}" ]; then
  VNPAY_SIM_PORT=${VNPAY_SIM_PORT} VNPAY_IPN_URL="http://127.0.0.1:${API_PORT}/api/payments/vnpay/ipn" \
    node -r ./scripts/register.js apps/vnpay-sim/src/main.ts &
  pids+=($!)
fi

for _ in $(seq 1 90); do
  curl -fsS "http://127.0.0.1:${API_PORT}/api/health" >/dev/null 2>&1 && curl -fsS -o /dev/null "http://127.0.0.1:${WEB_PORT}/" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "The API exited during start-up; see the messages above." >&2; exit 1; }
  sleep 1
done

cat <<MSG

HTX Số is running.
  Storefront:   http://localhost:${WEB_PORT}/
  Trace page:   http://localhost:${WEB_PORT}/01/08938512000220/10/GCL2510H  (what the QR code on a pack opens)
  API:          http://localhost:${API_PORT}/api
  API docs:     http://localhost:${API_PORT}/api/docs
  Health:       http://localhost:${API_PORT}/api/health
  VNPay:        ${VNPAY_HOST:-not configured} (the simulator unless VNPAY_HOST was set)
  Postmart:     http://127.0.0.1:${POSTMART_SIM_PORT} (simulator; state at /__sim/state; Thiên An is connected, see /api/manage/channels)

Demo logins (password: ${DEMO_PASSWORD}):
  admin@htxso.test            platform admin
  thienan@htxso.test          manager, Hợp tác xã Thiên An (thien-an)
  namty@htxso.test            manager, Hợp tác xã Chè Shan tuyết Nậm Tỵ (nam-ty)
  member.thienan@htxso.test   member, Thiên An
  member.namty@htxso.test     member, Nậm Tỵ

Press Ctrl+C to stop.
MSG
wait -n "${pids[@]}"
