#!/usr/bin/env bash
# Back up or restore the production tracker store (PostgreSQL), using the same settings as the
# production profile (LDN_PG_HOST, LDN_PG_PORT, LDN_PG_USER, LDN_PG_DB; password from
# PGPASSWORD or ~/.pgpass, never on the command line). See docs/deployment.md.
#   scripts/tracker_backup.sh backup  FILE           custom-format dump (pg_dump -Fc)
#   scripts/tracker_backup.sh restore FILE [DB]      into DB (default LDN_PG_DB); DB must not
#                                                    be in use: stop the replicas first
set -euo pipefail
host=${LDN_PG_HOST:-127.0.0.1} port=${LDN_PG_PORT:-5432} user=${LDN_PG_USER:-postgres}
db=${LDN_PG_DB:-ldn_tracker}
usage() { sed -n '2,8p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
command -v pg_dump >/dev/null || { echo "error: pg_dump not found (Debian: postgresql-client)" >&2; exit 1; }
case $1 in
  backup)
    tmp="$2.partial"
    pg_dump -h "$host" -p "$port" -U "$user" -Fc --no-owner -f "$tmp" "$db"
    mv "$tmp" "$2"  # a failed dump never replaces a good one
    echo "backed up $db to $2 ($(du -h "$2" | cut -f1))"
    ;;
  restore)
    [ -f "$2" ] || { echo "error: no backup file $2" >&2; exit 1; }
    target=${3:-$db}
    if [ "$(psql -h "$host" -p "$port" -U "$user" -d postgres -tAc \
          "SELECT 1 FROM pg_database WHERE datname = '$target'")" != "1" ]; then
      createdb -h "$host" -p "$port" -U "$user" "$target"
    fi
    pg_restore -h "$host" -p "$port" -U "$user" -d "$target" --clean --if-exists --no-owner \
      --single-transaction "$2"
    echo "restored $2 into $target"
    ;;
  *) usage ;;
esac
