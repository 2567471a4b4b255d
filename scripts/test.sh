#!/usr/bin/env bash
# Installs what is needed, makes sure PostgreSQL and Redis answer, then type-checks, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/ensure-services.sh
# Browser tests drive Debian's Chromium; label tests render PDFs with poppler's pdftoppm. Never a downloaded browser.
if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null
fi
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
npx nx run-many -t typecheck lint test --parallel=1 --outputStyle=static "$@"
