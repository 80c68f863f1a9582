#!/usr/bin/env bash
# Load benchmark of raquet-server's agent API (issue 5 targets): a fresh
# server on loopback with a fresh store, N enrolled agents keeping one
# keep-alive connection each busy with heartbeats, then with batches of
# detection events; prints requests/s, events/s and latency percentiles.
#
#   bench/server_load.sh [--agents N] [--seconds S] [--batch B] [--rate R] [--store sqlite|postgres]
#                        [--threads T]
#
# Heartbeats run twice: as fast as the server answers (closed loop), then at
# R requests/s on a fixed schedule (open loop, default 5000), whose latency
# percentiles are the ones the target speaks of.
#
# Targets (2-core machine, SQLite): >= 5,000 heartbeats/s with 1,000
# connections and p99 < 50 ms; >= 20,000 detections/s ingested in batches.
# --store postgres starts a throwaway PostgreSQL cluster (scripts/pg-test.sh).
# --threads sets the server's [server] threads (default 0: its own choice).
# Environment: BUILD (default build).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${BUILD:-$root/build}
agents=1000 seconds=10 batch=100 store=sqlite rate=5000 threads=0
while [ $# -gt 0 ]; do
	case "$1" in
	--agents) agents=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--batch) batch=$2; shift 2 ;;
	--rate) rate=$2; shift 2 ;;
	--store) store=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	-h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "server_load.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
server=$build/raquet-server
load=$build/server_load
[ -x "$server" ] && [ -x "$load" ] || { echo "server_load.sh: build first (make)" >&2; exit 2; }
work=$(mktemp -d)
pid= pgdir=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$pgdir" ] && "$root/scripts/pg-test.sh" stop "$pgdir" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
case "$store" in
sqlite) url=sqlite:$work/store.sqlite ;;
postgres)
	eval "$("$root/scripts/pg-test.sh" start)" # (a test cluster: fsync off)
	pgdir=${RQ_TEST_PG_DIR:-}
	url=$RQ_TEST_PG_URL ;;
*) echo "server_load.sh: --store sqlite or postgres" >&2; exit 2 ;;
esac
"$server" unit add --store "$url" --name "Load test" --code LOAD >/dev/null
token=$("$server" token create --store "$url" --unit LOAD --uses $((3 * agents + 100)) --days 1 2>/dev/null)
printf '[server]\nthreads = %s\n' "$threads" >"$work/server.conf"
"$server" --config "$work/server.conf" --foreground --plain-http --listen 127.0.0.1:0 --store "$url" \
	>"$work/server.out" 2>"$work/server.log" & # (stdout: a first start's admin password)
pid=$!
port=
for _ in $(seq 100); do
	port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log")
	[ -n "$port" ] && break
	sleep 0.05
done
[ -n "$port" ] || { echo "server_load.sh: server did not start: $(cat "$work/server.log")" >&2; exit 1; }
echo "raquet-server $(git -C "$root" rev-parse --short HEAD 2>/dev/null), store $store, $(nproc) cores"
# the highest rate (closed loop), then the target rate on a fixed schedule (open loop)
"$load" --port "$port" --token "$token" --agents "$agents" --seconds "$seconds"
"$load" --port "$port" --token "$token" --agents "$agents" --seconds "$seconds" --rate "$rate"
"$load" --port "$port" --token "$token" --agents $((agents / 20 > 0 ? agents / 20 : 1)) \
	--seconds "$seconds" --mode events --batch "$batch"
