#!/usr/bin/env bash
# `agnes pull` on loopback: a no-change pull of a 200-table manifest, and a
# 1 GiB parquet download by agnes pull vs curl of the same URL (alternating
# runs, medians), into a tmpfs and onto the disk. Builds agnes, prepares the data in a temp dir, starts
# `agnes serve` on it, runs bench/pullbench, cleans up.
#
#   bash bench/pull.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
work=$(mktemp -d)
cleanup() {
	[ -n "${agnes_pid:-}" ] && kill "$agnes_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -tags duckdb_arrow -o "$work/agnes" ./cmd/agnes
go build -tags duckdb_arrow -o "$work/pullbench" ./bench/pullbench
"$work/pullbench" prepare "$work/agnes-data"

(cd "$work" && exec ./agnes serve --no-demo --data-dir ./agnes-data --http-listen 127.0.0.1:18093 --pg-listen 127.0.0.1:15493 --log-level warn >"$work/agnes.log" 2>&1) &
agnes_pid=$!
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18093/healthz >/dev/null 2>&1 && break; sleep 0.5; done
token=$(cat "$work/agnes-data/state/admin.token")

# Destinations: a tmpfs when there is one (the transfer path alone), then
# the disk the temp dir is on (what a laptop sees: fsync included).
dirs=()
[ -d /dev/shm ] && dirs+=(-dir /dev/shm)
dirs+=(-dir "$work")
"$work/pullbench" run -server http://127.0.0.1:18093 -token "$token" -agnes "$work/agnes" -rounds "$rounds" "${dirs[@]}"
