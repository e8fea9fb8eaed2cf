#!/usr/bin/env bash
# The test suite's oracles: psql (Debian's postgresql-client) and PostgreSQL 15's server binaries (postgresql), which
# the differential and psql tests run against, tzdata (the zone files nodedb and PostgreSQL read), openssl, which the
# TLS tests make their certificates with, the Python drivers the client tests run with /usr/bin/python3
# (python3-asyncpg, python3-psycopg), and nats-server 2.9, which
# the sync tests (issue 11) run. Installs them from Debian's packages when they are missing and this user may (root,
# as on CI); otherwise says what to install and fails, so `npm test` never silently skips them.
# As root it also installs python3-fusepy, which test/helpers/eio-fuse.py needs to give the server a real EIO on fsync
# (test/integration/fsync-eio-fault.test.ts); that test needs root to mount anyway, so others are not asked for it.
set -uo pipefail

need=()
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The IANA zone files (tzdata) nodedb reads the zone abbreviations of the SQL/Postgres/German DateStyles from.
[ -f /usr/share/zoneinfo/Europe/Berlin ] || need+=(tzdata)
/usr/bin/python3 -c 'import asyncpg' >/dev/null 2>&1 || need+=(python3-asyncpg)
/usr/bin/python3 -c 'import psycopg' >/dev/null 2>&1 || need+=(python3-psycopg)
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
if [ "$(id -u)" = 0 ] && ! /usr/bin/python3 -c 'import fusepy' >/dev/null 2>&1; then need+=(python3-fusepy); fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "the tests need Debian's ${need[*]} (psql and PostgreSQL 15's initdb/postgres as oracles, openssl, Python drivers, nats-server): install them, e.g." >&2
  echo "  sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi

echo "installing the test oracles from Debian: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# Keep Debian's postinst from starting a system-wide cluster: the tests start their own on a free port.
policy_added=0
if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; policy_added=1; fi
apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
installed=$?
[ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
[ "$installed" = 0 ] || { echo "apt-get install ${need[*]} failed" >&2; exit 1; }
