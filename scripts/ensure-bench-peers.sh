#!/usr/bin/env bash
# The bench's peers from Debian's packages: PostgreSQL 15 (postgresql), InfluxDB 1.6 (influxdb), VictoriaMetrics 1.79
# (victoria-metrics) and ClickHouse (clickhouse-server). `npm run bench` runs this first (not for --smoke): it
# installs the missing ones when this user may (root, as on CI) and otherwise says what to install. It never fails
# the bench: a peer that is still missing is reported as skipped in the bench's table. DuckDB comes from npm
# (@duckdb/node-api, a devDependency). Debian's postinst scripts must not start system services (policy-rc.d): the
# bench starts each peer itself on loopback with its own temp data dir and stops it by PID.
set -uo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v influxd >/dev/null 2>&1 || need+=(influxdb)
command -v victoria-metrics >/dev/null 2>&1 || need+=(victoria-metrics)
command -v clickhouse-server >/dev/null 2>&1 || need+=(clickhouse-server)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "bench peers missing (they will be reported as skipped): install Debian's ${need[*]}, e.g." >&2
  echo "  sudo apt-get install -y ${need[*]}" >&2
  exit 0
fi

echo "installing the bench peers from Debian: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
policy_added=0
if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; policy_added=1; fi
apt-get update -qq
# One package at a time: one that cannot be had must not keep the others out.
for package in "${need[@]}"; do
  apt-get install -y -qq "$package" >/dev/null || echo "apt-get install $package failed: the bench reports it as skipped" >&2
done
[ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
exit 0
