#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
marker=node_modules/.htx-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "$want" ]; then
  echo "Installing dependencies (npm ci)…"
  node scripts/fix-lock.js
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$marker"
fi
