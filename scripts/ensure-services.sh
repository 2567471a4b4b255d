#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on this machine, starting them (Debian packages) if they do not.
set -euo pipefail
PGHOST_ADDR=${PGHOST_ADDR:-127.0.0.1}
if ! pg_isready -q -h "$PGHOST_ADDR" -p 5432 2>/dev/null; then
  echo "PostgreSQL is not answering; starting it…"
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST_ADDR" -p 5432 && break; sleep 1; done
  pg_isready -h "$PGHOST_ADDR" -p 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Redis is not answering; starting it…"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -h 127.0.0.1 ping >/dev/null || { echo "Redis did not start" >&2; exit 1; }
fi
