#!/usr/bin/env bash
# HTX Số — sao lưu cơ sở dữ liệu / database backup.
#
#   scripts/backup.sh [OUTPUT_FILE]
#
# Dumps DATABASE_URL (environment, or .env in the repository root) with pg_dump in custom format (-Fc: compressed,
# restorable table by table with pg_restore). Default file: ${BACKUP_DIR:-backups}/htx-<database>-<UTC time>.dump.
# Writes a .sha256 checksum beside the dump and prints what it did. See docs/BACKUP.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

if [ -z "${DATABASE_URL:-}" ] && [ -f "$ROOT/.env" ]; then
  DATABASE_URL="$(grep -E '^DATABASE_URL=' "$ROOT/.env" | tail -1 | cut -d= -f2- | sed -e 's/^["'\'']//' -e 's/["'\'']$//')"
fi
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/htx}"
case "$DATABASE_URL" in postgres://* | postgresql://*) ;; *) echo "DATABASE_URL phải là postgres://… / DATABASE_URL must be a postgres:// URL" >&2; exit 2 ;; esac

# Database name and a printable form of the URL (never print the password).
DB_NAME="$(node -e 'console.log(decodeURIComponent(new URL(process.argv[1]).pathname.slice(1)))' "$DATABASE_URL")"
DB_SHOWN="$(node -e 'const u=new URL(process.argv[1]); if (u.password) u.password="***"; console.log(u.toString())' "$DATABASE_URL")"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${1:-${BACKUP_DIR:-$ROOT/backups}/htx-${DB_NAME}-${STAMP}.dump}"
mkdir -p "$(dirname "$OUT")"
if [ -e "$OUT" ]; then echo "Tệp đã tồn tại, không ghi đè / File exists, not overwriting: $OUT" >&2; exit 2; fi

echo "Sao lưu / Backing up: $DB_SHOWN"
echo "  → $OUT"
START=$(date +%s)
# Write to a temporary name first so that a half-written dump never looks like a finished one.
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$OUT.partial" --dbname="$DATABASE_URL"
mv "$OUT.partial" "$OUT"
(cd "$(dirname "$OUT")" && sha256sum "$(basename "$OUT")" > "$(basename "$OUT").sha256")

ENTRIES="$(pg_restore --list "$OUT" | grep -c ' TABLE DATA ' || true)"
SIZE="$(du -h "$OUT" | cut -f1)"
echo "Xong / Done in $(( $(date +%s) - START ))s: $SIZE, $ENTRIES bảng có dữ liệu / tables with data, pg_dump $(pg_dump --version | awk '{print $3}')"
echo "Kiểm tra tổng / checksum: $OUT.sha256"
echo "Khôi phục / restore: scripts/restore.sh '$OUT' postgres://…/<new database>"
