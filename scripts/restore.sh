#!/usr/bin/env bash
# HTX Số — khôi phục bản sao lưu / restore a backup.
#
#   scripts/restore.sh BACKUP_FILE TARGET_DATABASE_URL
#
# 1. checks the dump's .sha256 (when present) and that it is a readable pg_dump archive;
# 2. creates the target database — it must not exist yet, or be empty (no tables): a restore never overwrites data;
# 3. pg_restore --no-owner --no-privileges --exit-on-error (single transaction: all or nothing);
# 4. runs the platform's migrations, so a dump taken by an older release is brought up to the current schema;
# 5. runs the integrity verifier (npm run verify): orders, inventory ledger, trace hash chains, payments.
# Exit code: 0 restored and verified; 1 restored but verification found problems; 2 restore failed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

if [ $# -ne 2 ]; then
  echo "Cách dùng / Usage: scripts/restore.sh BACKUP_FILE TARGET_DATABASE_URL" >&2
  exit 2
fi
FILE="$1"
TARGET="$2"
case "$TARGET" in postgres://* | postgresql://*) ;; *) echo "TARGET_DATABASE_URL phải là postgres://… / must be a postgres:// URL" >&2; exit 2 ;; esac
[ -f "$FILE" ] || { echo "Không thấy tệp / No such file: $FILE" >&2; exit 2; }

# Target database name and the server's maintenance database ("postgres") URL, via Node's URL parser.
read -r DB_NAME ADMIN_URL SHOWN < <(node -e '
  const u = new URL(process.argv[1]);
  const name = decodeURIComponent(u.pathname.slice(1));
  const admin = new URL(u.toString()); admin.pathname = "/postgres";
  const shown = new URL(u.toString()); if (shown.password) shown.password = "***";
  console.log(name, admin.toString(), shown.toString());' "$TARGET")
if ! [[ "$DB_NAME" =~ ^[A-Za-z0-9_]+$ ]]; then echo "Tên cơ sở dữ liệu không hợp lệ / Unusable database name: $DB_NAME" >&2; exit 2; fi

if [ -f "$FILE.sha256" ]; then
  (cd "$(dirname "$FILE")" && sha256sum --check --status "$(basename "$FILE").sha256") \
    || { echo "Tổng kiểm tra SAI: tệp sao lưu bị hỏng / CHECKSUM MISMATCH: the backup file is damaged: $FILE" >&2; exit 2; }
  echo "Tổng kiểm tra đúng / checksum OK"
fi
pg_restore --list "$FILE" > /dev/null || { echo "Không phải bản sao lưu pg_dump -Fc / Not a pg_dump custom-format archive: $FILE" >&2; exit 2; }

echo "Khôi phục / Restoring $FILE → $SHOWN"
EXISTS="$(psql "$ADMIN_URL" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")"
if [ "$EXISTS" = "1" ]; then
  TABLES="$(psql "$TARGET" -Atqc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
  if [ "$TABLES" != "0" ]; then
    echo "Cơ sở dữ liệu $DB_NAME đã có $TABLES bảng: không ghi đè. Hãy chọn một tên mới." >&2
    echo "Database $DB_NAME already has $TABLES tables: refusing to overwrite. Choose a new name." >&2
    exit 2
  fi
  echo "  cơ sở dữ liệu rỗng đã có sẵn / using the existing empty database $DB_NAME"
else
  psql "$ADMIN_URL" -qc "CREATE DATABASE \"$DB_NAME\"" > /dev/null
  echo "  đã tạo / created database $DB_NAME"
fi

START=$(date +%s)
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$TARGET" "$FILE" \
  || { echo "pg_restore THẤT BẠI, không có gì được ghi / FAILED, nothing was written (single transaction)" >&2; exit 2; }
echo "  pg_restore xong / done in $(( $(date +%s) - START ))s"

echo "Cập nhật lược đồ / Applying migrations"
(cd "$ROOT" && DATABASE_URL="$TARGET" LOG_LEVEL=silent node -r ./scripts/register.js apps/api/src/cli/migrate.ts) \
  || { echo "Migration THẤT BẠI / migrations FAILED" >&2; exit 2; }

echo "Kiểm tra toàn vẹn / Verifying"
set +e
(cd "$ROOT" && node -r ./scripts/register.js apps/api/src/cli/verify.ts "$TARGET")
RC=$?
set -e
if [ $RC -eq 0 ]; then
  echo "Khôi phục và kiểm tra thành công / Restored and verified: $SHOWN"
elif [ $RC -eq 1 ]; then
  echo "Đã khôi phục nhưng KIỂM TRA PHÁT HIỆN LỖI (xem trên) / Restored but VERIFICATION FOUND PROBLEMS (see above)" >&2
else
  echo "Không chạy được bước kiểm tra / The verifier could not run" >&2
  RC=2
fi
exit $RC
