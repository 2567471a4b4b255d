#!/usr/bin/env bash
# HTX Số — diễn tập sao lưu/khôi phục / backup-and-restore drill.
#
#   scripts/backup-restore-check.sh [--seed]
#
# Backs up DATABASE_URL, restores the dump into a fresh database, verifies it (orders, inventory ledger, trace hash
# chains, payments) and compares the row count and a content fingerprint of every table between the source and
# the restored copy. Exits non-zero on any failure or mismatch.
#
#   --seed                 first migrate DATABASE_URL and load the demo data (for a drill on an empty machine)
#   RESTORE_DATABASE_URL   where to restore (default: <source database>_restore_<UTC time> on the same server)
#   KEEP_RESTORED=1        keep the restored database afterwards (default: drop it when the drill passed)
#   BACKUP_FILE            where to write the dump (default: a temporary file, deleted afterwards)
#
# Compare counts on a quiet database (a staging copy, or a maintenance window): writes made between pg_dump's
# snapshot and the comparison show up as mismatches.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

SEED=0
for a in "$@"; do
  case "$a" in
    --seed) SEED=1 ;;
    *) echo "Cách dùng / Usage: scripts/backup-restore-check.sh [--seed]" >&2; exit 2 ;;
  esac
done
if [ -z "${DATABASE_URL:-}" ] && [ -f .env ]; then
  DATABASE_URL="$(grep -E '^DATABASE_URL=' .env | tail -1 | cut -d= -f2- | sed -e 's/^["'\'']//' -e 's/["'\'']$//')"
fi
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/htx}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
if [ -z "${RESTORE_DATABASE_URL:-}" ]; then
  RESTORE_DATABASE_URL="$(node -e 'const u = new URL(process.argv[1]); u.pathname = u.pathname + "_restore_" + process.argv[2].toLowerCase(); console.log(u.toString())' "$DATABASE_URL" "$STAMP")"
fi

WORK="$(mktemp -d)"
FILE="${BACKUP_FILE:-$WORK/htx-drill-$STAMP.dump}"
RESTORED=0
PASSED=0
cleanup() {
  rm -rf "$WORK"
  if [ "$RESTORED" = 1 ] && [ "$PASSED" = 1 ] && [ "${KEEP_RESTORED:-0}" != 1 ]; then
    ADMIN="$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/postgres"; console.log(u.toString())' "$RESTORE_DATABASE_URL")"
    NAME="$(node -e 'console.log(decodeURIComponent(new URL(process.argv[1]).pathname.slice(1)))' "$RESTORE_DATABASE_URL")"
    psql "$ADMIN" -qc "DROP DATABASE IF EXISTS \"$NAME\" WITH (FORCE)" > /dev/null && echo "Đã xoá bản khôi phục thử / dropped the drill database $NAME"
  fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

if [ "$SEED" = 1 ]; then
  step "Nạp dữ liệu mẫu / Loading demo data"
  LOG_LEVEL=silent node -r ./scripts/register.js apps/api/src/cli/seed.ts
fi

step "1. Kiểm tra nguồn / Verifying the source"
set +e
node -r ./scripts/register.js apps/api/src/cli/verify.ts "$DATABASE_URL"
SRC_RC=$?
set -e
if [ $SRC_RC -ne 0 ]; then
  echo "Cơ sở dữ liệu nguồn đã có lỗi trước khi sao lưu / The SOURCE already fails verification (exit $SRC_RC)" >&2
  exit 1
fi

step "2. Sao lưu / Backup"
bash scripts/backup.sh "$FILE"

step "3. Khôi phục vào cơ sở dữ liệu mới / Restore into a fresh database"
set +e
bash scripts/restore.sh "$FILE" "$RESTORE_DATABASE_URL"
RESTORE_RC=$?
set -e
[ $RESTORE_RC -ne 2 ] && RESTORED=1
if [ $RESTORE_RC -ne 0 ]; then
  echo "KHÔI PHỤC KHÔNG ĐẠT / RESTORE FAILED (exit $RESTORE_RC)" >&2
  exit 1
fi

step "4. So sánh số dòng và dấu vân tay nội dung / Comparing row counts and content fingerprints"
# Every table of the source's public schema (the key ones — orders, order_lines, inventory_movements, trace_events,
# trace_chain, payment_intents … — and any a newer release adds). One query per database: for each table, its row
# count and an md5 over its rows in a fixed order. A table missing from the copy shows as an error in the comparison.
mapfile -t TABLES < <(psql "$DATABASE_URL" -Atqc "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
[ "${#TABLES[@]}" -gt 0 ] || { echo "Nguồn không có bảng nào / The source has no tables" >&2; exit 1; }
fingerprint() {
  local url="$1" sql="" t
  for t in "${TABLES[@]}"; do
    sql+="SELECT '$t' AS t, (SELECT count(*) FROM public.\"$t\") AS n, (SELECT md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM public.\"$t\" x) AS h UNION ALL "
  done
  PGTZ=UTC psql "$url" -AtqF ' ' -c "${sql% UNION ALL }"
}
fingerprint "$DATABASE_URL" > "$WORK/source.txt"
fingerprint "$RESTORE_DATABASE_URL" > "$WORK/restored.txt" 2> "$WORK/restored.err" \
  || { echo "KHÔNG ĐẠT: bản khôi phục thiếu bảng / FAILED: the restored copy lacks tables: $(cat "$WORK/restored.err")" >&2; exit 1; }
MISMATCH=0
printf '%-24s %10s %10s  %s\n' "bảng / table" "nguồn/src" "khôi phục" "nội dung / content"
while read -r t n h; do
  read -r t2 n2 h2 <<< "$(grep -E "^$t " "$WORK/restored.txt" || echo "$t - -")"
  status="giống / same"
  if [ "$n" != "$n2" ] || [ "$h" != "$h2" ]; then status="KHÁC / DIFFERENT"; MISMATCH=1; fi
  printf '%-24s %10s %10s  %s\n' "$t" "$n" "$n2" "$status"
done < "$WORK/source.txt"

if [ $MISMATCH -ne 0 ]; then
  echo "KHÔNG ĐẠT: bản khôi phục khác nguồn / FAILED: the restored copy differs from the source" >&2
  exit 1
fi
PASSED=1
echo
echo "ĐẠT / PASSED: sao lưu → khôi phục → kiểm tra đều tốt; bản khôi phục giống nguồn / backup → restore → verify all good; the copy matches the source"
