#!/usr/bin/env bash
# Prints a DATABASE_URL for a PostgreSQL the tests can use.
# 1. $PINGAN_TEST_DATABASE_URL if set; 2. the server on 127.0.0.1:5432 (trust auth,
# database "test"), as on the development and CI machines; 3. otherwise, as root,
# install Debian's postgresql and start a private cluster on 127.0.0.1:55432.
set -euo pipefail

log() { echo "ensure-postgres: $*" >&2; }

reachable() {
  python3 - "$1" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
}

export PATH="$(dirname "$0")/../.venv/bin:$PATH"

if [ -n "${PINGAN_TEST_DATABASE_URL:-}" ]; then
  echo "$PINGAN_TEST_DATABASE_URL"; exit 0
fi
for url in "postgres://postgres@127.0.0.1:5432/test" "postgres://root@127.0.0.1:5432/test"; do
  if reachable "$url"; then echo "$url"; exit 0; fi
done

if [ "$(id -u)" != 0 ]; then
  log "no PostgreSQL on 127.0.0.1:5432 and not root, so cannot install one."
  log "start one, or set PINGAN_TEST_DATABASE_URL=postgres://user@host:port/db"
  exit 1
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "installing postgresql from Debian"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
datadir=/var/tmp/pingan-pg
url="postgres://postgres@127.0.0.1:55432/postgres"
if reachable "$url"; then echo "$url"; exit 0; fi
if [ ! -f "$datadir/PG_VERSION" ]; then
  install -d -o postgres -g postgres "$datadir"
  runuser -u postgres -- "$bindir/initdb" -D "$datadir" -A trust -U postgres >&2
fi
runuser -u postgres -- "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w \
  -o "-p 55432 -c listen_addresses=127.0.0.1 -k /tmp" start >&2
reachable "$url" || { log "started PostgreSQL but cannot connect"; exit 1; }
echo "$url"
