#!/usr/bin/env bash
# Agnes vs PostgreSQL 15 on the same rows, same client (pgx), one machine.
# Starts a throwaway PostgreSQL (Debian's postgresql package) and an Agnes
# server on loopback, loads 1M rows into both, then alternates the two.
#
#   bash bench/gateway.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d)
chmod 755 "$work"
cleanup() {
	[ -n "${agnes_pid:-}" ] && kill "$agnes_pid" 2>/dev/null || true
	su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pg -m immediate stop" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -tags duckdb_arrow -o "$work/agnes" ./cmd/agnes
go build -tags duckdb_arrow -o "$work/gatewaybench" ./bench/gatewaybench

# PostgreSQL: statement logging off, trust auth on loopback.
mkdir -p "$work/pg" && chown postgres "$work/pg"
su postgres -s /bin/sh -c "$pgbin/initdb -D $work/pg -A trust -U postgres" >/dev/null
su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pg -o '-p 55432 -k $work/pg -c listen_addresses=127.0.0.1 -c log_statement=none -c shared_buffers=1GB' -l $work/pg/server.log start" >/dev/null
pgdsn="postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable"
"$work/gatewaybench" prepare-pg "$pgdsn"

# Agnes with the same rows as a parquet table.
"$work/gatewaybench" prepare-agnes "$work/agnes-data"
(cd "$work" && exec ./agnes serve --no-demo --http-listen 127.0.0.1:18092 --pg-listen 127.0.0.1:15492 --log-level warn >"$work/agnes.log" 2>&1) &
agnes_pid=$!
for _ in $(seq 1 60); do [ -s "$work/agnes-data/state/admin.token" ] && break; sleep 1; done
# The native DuckDB copy of the table is built in the background after
# start-up; measure once it is in use.
for _ in $(seq 1 120); do ls "$work"/agnes-data/cache/native/*.duckdb >/dev/null 2>&1 && break; sleep 1; done
sleep 2
token=$(cat "$work/agnes-data/state/admin.token")
agnesdsn="postgres://admin%40localhost:${token}@127.0.0.1:15492/agnes?sslmode=disable"

"$work/gatewaybench" run -agnes "$agnesdsn" -pg "$pgdsn" -rounds "$rounds"
